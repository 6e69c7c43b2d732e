"""`python -m tests.conversations --stack`: run the blind conversation suite (suite.py)."""
import sys

from tests.conversations.suite import main

sys.exit(main())
