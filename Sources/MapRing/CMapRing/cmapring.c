#include "cmapring.h"
#include <string.h>

int cmapring_take(void *slot, uint32_t valid_value, uint8_t *data, uint32_t capacity, uint64_t *stamp)
{
    uint8_t *bytes = slot;
    if (cmapring_load_acquire_u32(bytes) != valid_value)
        return -1;
    uint32_t length;
    memcpy(&length, bytes + 4, sizeof length);
    if (length > capacity)
        length = capacity;
    memcpy(stamp, bytes + 8, sizeof *stamp);
    memcpy(data, bytes + 16, length);
    cmapring_store_release_u32(bytes, 0);
    return (int)length;
}

uint32_t cmapring_count(const void *base, size_t stride, uint32_t slots, uint32_t valid_value)
{
    uint32_t count = 0;
    for (uint32_t i = 0; i < slots; i++)
        count += cmapring_load_acquire_u32((const uint8_t *)base + (size_t)i * stride) == valid_value;
    return count;
}

#include <errno.h>
#include <sys/prctl.h>

int cmapring_set_timer_slack(unsigned long nanoseconds)
{
    return prctl(PR_SET_TIMERSLACK, nanoseconds, 0, 0, 0) == 0 ? 0 : -errno;
}
