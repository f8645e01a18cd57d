"""The HTTP benchmark's parts: servers, wrk, the pages and the write mix."""
