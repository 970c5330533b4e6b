import sys

from qa_analytics.cli import main

sys.exit(main())
