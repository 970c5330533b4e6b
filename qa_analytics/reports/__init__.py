"""Reports: exports of final scores and decisions (more reports to come)."""
