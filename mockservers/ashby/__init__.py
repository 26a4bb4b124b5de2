"""Ashby: RPC-style ``POST /<category>.<method>`` API with presigned file upload handles."""
