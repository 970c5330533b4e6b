import sys

from benchmarks.bench_pipeline import main

sys.exit(main())
