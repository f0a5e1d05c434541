"""``spark-submit`` entry point: ``syndetect scan ARGS --engine spark``.

    spark-submit [spark options] "$(python -c 'import syndetect.engines.spark_submit as m; print(m.__file__)')" \
        hdfs:///corpus/ --format json -o report.json --spark-tables hdfs:///out/tables

The session is the one spark-submit configured (master, executors, memory);
the stage functions are imported from the installed package on each executor.
"""

from syndetect.engines.spark import main

if __name__ == "__main__":
    main()
