"""Reference clients, one module per vendor; they import httpx only (never ``mockservers``).

Errors::

    ApiError                  any vendor answered an error (status, request_id, code, message)
    ├── pageup.PageUpError    carries PageUp's [{"field", "message"}] list
    ├── ashby.AshbyError      carries Ashby's errorInfo
    ├── wttj.WttjError        carries WTTJ's error and error_description
    ├── clinch.ClinchError    carries Clinch's JSON:API errors (and their source pointers)
    │   ├── clinch.ClinchAuthError        401: signature, access id, date or Content-MD5 refused
    │   ├── clinch.ClinchNotFound         404: no such candidate or tag
    │   └── clinch.ClinchValidationError  422: a refused document or attribute
    ├── endorsed.EndorsedError  carries Endorsed's code and issues
    └── StorageError          S3 refused an upload or download (S3's code, e.g. EntityTooLarge)
    TransportError            no usable answer after the retries (reset, timeout, bad body), or at once
                              for what no retry fixes (a URL that is not http or https)
"""
