"""Reports: doctor, rules documentation, terminal and machine-readable output."""
