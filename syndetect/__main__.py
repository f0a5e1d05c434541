from syndetect.cli.app import main

main()
