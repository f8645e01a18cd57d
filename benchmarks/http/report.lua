-- wrk's summary as one JSON line (read by benchmarks/http/load.py).
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "seconds": %.6f, "p50_us": %d, "p99_us": %d, "non2xx": %d, "socket_errors": %d, "bytes": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout, summary.bytes))
end
