"""What a result is written as: files (and reports)."""
