// Diagnosis: account probes and the failure catalogue. Filled by the Diagnosis issue.
