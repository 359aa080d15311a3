"""The benchmark: seed a large cooperative, serve it with gunicorn next to two floor endpoints, and
measure pages and API against the bare framework in the same run (`make bench`, docs/benchmarks.md).

- bench.settings, bench.urls, bench.floors, bench.wsgi: the app as deployed, plus the two floors.
- bench.endpoints: what is measured, and the targets, as data (add a page here to measure it).
- bench.probe: measurements that run inside Django (credentials, query counts, tally, closing sweep).
- bench.wrk: the load generator, its Lua script and the parsing of its report.
- bench.report: the table printed and written to docs/benchmarks.md.
- bench.run: the driver that does it all in order.
"""
