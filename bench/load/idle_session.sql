SELECT :idle_marker AS pgroute_bench_idle_session;
\sleep :idle_seconds s
