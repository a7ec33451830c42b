"""The blog post's two services, as published, kept as the baseline `make bench` measures against.

Copied from *How to use FastAPI for microservices* (2021). The one change: the info service reads
the auth URL from `BLOG_LOGIN_ENDPOINT`, so that the bench can start it on a free port.
"""
