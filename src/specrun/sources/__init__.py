"""Real data: S3 and SageMaker discovery, sampling, download cache, snapshots."""
