tilstede_test(test_namesearch SOURCES test_namesearch.c)
tilstede_bench(bench_namesearch SOURCES bench_namesearch.c)
