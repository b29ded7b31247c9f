/*
 * Corpus replay for the fuzz targets: runs LLVMFuzzerTestOneInput over every file of the
 * directories (or files) named on the command line, so `make test` exercises each corpus under
 * the sanitizers without libFuzzer. A crash or sanitizer report fails the test.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf;
	long len;

	if (fp == NULL) {
		fprintf(stderr, "replay: %s: cannot open\n", path);
		return 1;
	}
	if (fseek(fp, 0, SEEK_END) != 0 || (len = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0) {
		(void)fclose(fp);
		return 1;
	}
	buf = malloc((size_t)len + 1);
	if (buf == NULL || fread(buf, 1, (size_t)len, fp) != (size_t)len) {
		free(buf);
		(void)fclose(fp);
		return 1;
	}
	(void)fclose(fp);
	(void)LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
	int bad = 0, n = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *de;
		char **names = NULL;
		size_t nn = 0, cap = 0;

		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: %s: no such corpus\n", argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			bad |= run_file(argv[i]);
			n++;
			continue;
		}
		d = opendir(argv[i]);
		if (d == NULL)
			return 1;
		while ((de = readdir(d)) != NULL) {
			char path[4096];
			if (de->d_name[0] == '.')
				continue;
			(void)snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
			if (nn == cap) {
				cap = cap ? cap * 2 : 64;
				char **nn2 = realloc(names, cap * sizeof(*names));
				if (nn2 == NULL)
					return 1;
				names = nn2;
			}
			names[nn++] = strdup(path);
		}
		(void)closedir(d);
		qsort(names, nn, sizeof(*names), cmp_str);
		for (size_t k = 0; k < nn; k++) {
			bad |= run_file(names[k]);
			n++;
			free(names[k]);
		}
		free(names);
	}
	printf("replay: %d inputs, %s\n", n, bad ? "errors" : "ok");
	return bad;
}
