"""The verifying S3 front: presigned requests checked the way S3 checks them, moto (or any S3) as the store.

``S3Service`` is the whole public surface: the core mounts ``S3Service.app`` at ``/s3`` and vendors
presign against it through the ``Storage`` Protocol. This package is the only place that imports
moto, and only lazily.
"""

from mockservers.s3.service import S3Service
from mockservers.s3.storage import ObjectFacts, ObjectWriter, Storage
from mockservers.s3.store import ObjectInfo

__all__ = ["ObjectFacts", "ObjectInfo", "ObjectWriter", "S3Service", "Storage"]
