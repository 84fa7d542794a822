/* dev: the two targets Warp generates code for, in one vocabulary for every
 * stage: an index (DEV_CPU, DEV_CUDA) for arrays and loops, a bit of it
 * (DEV_BIT) for the masks that options, the wire format and the checker
 * carry, and the names users type and records hold ("cpu", "cuda"). */
#ifndef JS_DEV_H
#define JS_DEV_H

typedef enum dev_id { DEV_CPU, DEV_CUDA, DEV_COUNT } dev_id;

#define DEV_BIT(d) (1u << (d))
#define DEV_ALL (DEV_BIT(DEV_CPU) | DEV_BIT(DEV_CUDA))

/* "cpu" / "cuda". */
const char *dev_name(dev_id d);
/* The device called name, or -1. */
int dev_from_name(const char *name);
/* Devices set in a mask. */
int dev_count(unsigned mask);
/* "cpu,cuda" -> mask; -1 for an unknown, repeated or empty item. */
int dev_parse_list(const char *list, unsigned *mask);

#endif
