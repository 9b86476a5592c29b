"""Mock agencies: reference servers of the agency contract, synthetic data, faults on demand."""
