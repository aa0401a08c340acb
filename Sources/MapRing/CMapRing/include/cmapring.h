#pragma once
// Memory-ordered access to a map ring shared with an XDP program through mmap.
// C because Swift has no atomic operations on memory it did not allocate (the Synchronization module's
// atomics are values, not views of a mapped page), and plain Swift loads may be hoisted out of a poll loop.
#include <stddef.h>
#include <stdint.h>

/// Reads a slot's valid flag with acquire ordering: the slot's data, written before the flag, is visible after it.
static inline uint32_t cmapring_load_acquire_u32(const void *address)
{
    return __atomic_load_n((const uint32_t *)address, __ATOMIC_ACQUIRE);
}

/// Writes a slot's valid flag with release ordering: the copy out of the slot is complete before the
/// producer can see the slot free.
static inline void cmapring_store_release_u32(void *address, uint32_t value)
{
    __atomic_store_n((uint32_t *)address, value, __ATOMIC_RELEASE);
}

/// Takes the slot at `slot` if its flag (first u32) equals `valid_value`: copies the u32 length at +4
/// (cut to `capacity`), the u64 stamp at +8 and the data at +16 out, then clears the flag.
/// Returns the number of bytes copied, or -1 when the slot was not ready.
int cmapring_take(void *slot, uint32_t valid_value, uint8_t *data, uint32_t capacity, uint64_t *stamp);

/// Counts the slots of a ring whose flag equals `valid_value`; `stride` is the slot size in the mapping.
uint32_t cmapring_count(const void *base, size_t stride, uint32_t slots, uint32_t valid_value);

/// Sets the calling thread's timer slack (prctl PR_SET_TIMERSLACK, variadic in C), so a poller's
/// 10 µs naps are not stretched to the default 50 µs slack. Returns 0 or -errno.
int cmapring_set_timer_slack(unsigned long nanoseconds);
