"""Pure algorithms: normalisation and units (text), MinHash and band keys (minhash), LSH candidate pairs (candidates), exact alignment (verify), clusters and fractions (cluster)."""
