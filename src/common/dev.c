/* dev: device names and masks (see dev.h). */
#include "common/dev.h"

#include <string.h>

static const char *const names[DEV_COUNT] = {[DEV_CPU] = "cpu", [DEV_CUDA] = "cuda"};

const char *dev_name(dev_id d) { return names[d]; }

int dev_from_name(const char *name)
{
	for (int d = 0; d < DEV_COUNT; d++)
		if (strcmp(name, names[d]) == 0)
			return d;
	return -1;
}

int dev_count(unsigned mask)
{
	int n = 0;
	for (int d = 0; d < DEV_COUNT; d++)
		n += (mask & DEV_BIT(d)) != 0;
	return n;
}

int dev_parse_list(const char *list, unsigned *mask)
{
	*mask = 0;
	for (const char *s = list;; s++) {
		size_t n = strcspn(s, ",");
		char item[8];
		if (n == 0 || n >= sizeof item)
			return -1;
		memcpy(item, s, n);
		item[n] = 0;
		int d = dev_from_name(item);
		if (d < 0 || (*mask & DEV_BIT(d)))
			return -1;
		*mask |= DEV_BIT(d);
		s += n;
		if (!*s)
			return 0;
	}
}
