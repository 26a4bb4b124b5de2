"""PageUp Document API mock: OAuth client credentials, prepareTempDirectUpload, moveFromTemp, download."""
