/*
 * mproc_shm: shared memory and futex wait/wake for mproc's Value, Array and locks across processes.
 * Linux only. Built with a plain `cc -O2 -fPIC -shared` against the Node-API headers (no node-gyp),
 * see ../scripts/build-native.mjs; Node-API is ABI-stable, so one build serves every Node line.
 *
 * Exports:
 *   create(size)                         -> { buffer, fd }  a new memfd of `size` bytes, mapped shared
 *   open(path, size)                     -> { buffer, fd }  maps a region another process made, by path
 *                                                           (`/proc/<pid>/fd/<n>` of a holder)
 *   wait(buffer, offset, expected, ms)   -> Promise<0 woken | 1 timed out | 2 not equal>
 *                                           FUTEX_WAIT on a libuv thread-pool thread, so the event loop
 *                                           never blocks; `ms` bounds the wait
 *   waitSync(buffer, offset, expected, ms) -> 0 | 1 | 2, as wait, but blocking the calling thread:
 *                                           for the synchronous acquire of a lock (acquireSync)
 *   wake(buffer, offset, count)          -> number of waiters woken (FUTEX_WAKE, synchronous)
 *   memfd()                              -> fd  a new empty memfd, not mapped: the caller writes and
 *                                           closes it with plain file calls (staged bytes, see
 *                                           src/serialize/staged-bytes.ts)
 *
 * The ArrayBuffers are external: each owns its mapping and its file descriptor, and both are
 * released (munmap, close) when the buffer is garbage-collected. The memory itself goes away when the
 * last mapping and descriptor in any process are gone; a memfd has no name to leave behind.
 */
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* The futex operations are kernel ABI; musl's toolchain (prebuilt musl binaries) has no linux/ headers. */
#if defined(__has_include) && __has_include(<linux/futex.h>)
#include <linux/futex.h>
#else
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#endif
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif

typedef struct {
  void *base;
  size_t size;
  int fd;
} mapping_t;

static napi_value throw_errno(napi_env env, const char *what) {
  char message[512];
  const char *reason = strerror(errno);
  snprintf(message, sizeof message, "mproc_shm: %.300s: %s", what, reason);
  napi_throw_error(env, "ERR_MPROC_SHM", message);
  return NULL;
}

/* Runs when the buffer is collected; only syscalls here, no Node-API calls. */
static void release_mapping(napi_env env, void *data, void *hint) {
  (void)env;
  (void)data;
  mapping_t *mapping = hint;
  munmap(mapping->base, mapping->size);
  close(mapping->fd);
  free(mapping);
}

/* Maps `fd` and wraps it as { buffer, fd }; takes ownership of `fd` (closed on failure). */
static napi_value wrap_fd(napi_env env, int fd, size_t size) {
  void *base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) {
    napi_value ignored = throw_errno(env, "mmap");
    close(fd);
    return ignored;
  }
  mapping_t *mapping = malloc(sizeof *mapping);
  if (!mapping) {
    munmap(base, size);
    close(fd);
    napi_throw_error(env, "ERR_MPROC_SHM", "mproc_shm: out of memory");
    return NULL;
  }
  mapping->base = base;
  mapping->size = size;
  mapping->fd = fd;
  napi_value buffer, result, fd_value;
  napi_status status = napi_create_external_arraybuffer(env, base, size, release_mapping, mapping, &buffer);
  if (status != napi_ok) {
    /* e.g. napi_no_external_buffers_allowed under the V8 sandbox: JS falls back and says why. */
    release_mapping(env, NULL, mapping);
    const napi_extended_error_info *info = NULL;
    napi_get_last_error_info(env, &info);
    char message[256];
    snprintf(message, sizeof message, "mproc_shm: external array buffers are not allowed here (%s)",
             info && info->error_message ? info->error_message : "unknown");
    napi_throw_error(env, "ERR_MPROC_SHM_EXTERNAL", message);
    return NULL;
  }
  napi_create_object(env, &result);
  napi_create_int32(env, fd, &fd_value);
  napi_set_named_property(env, result, "buffer", buffer);
  napi_set_named_property(env, result, "fd", fd_value);
  return result;
}

static int get_args(napi_env env, napi_callback_info info, size_t expected, napi_value *argv) {
  size_t argc = expected;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < expected) {
    napi_throw_type_error(env, NULL, "mproc_shm: missing arguments");
    return 0;
  }
  return 1;
}

static int get_size(napi_env env, napi_value value, size_t *size) {
  double number;
  if (napi_get_value_double(env, value, &number) != napi_ok || !(number >= 1) || number > (double)SIZE_MAX) {
    napi_throw_range_error(env, NULL, "mproc_shm: size must be a positive number of bytes");
    return 0;
  }
  *size = (size_t)number;
  return 1;
}

static napi_value create(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t size;
  if (!get_args(env, info, 1, argv) || !get_size(env, argv[0], &size)) return NULL;
  int fd = (int)syscall(SYS_memfd_create, "mproc", MFD_CLOEXEC);
  if (fd < 0) return throw_errno(env, "memfd_create");
  if (ftruncate(fd, (off_t)size) != 0) {
    napi_value ignored = throw_errno(env, "ftruncate");
    close(fd);
    return ignored;
  }
  return wrap_fd(env, fd, size);
}

static napi_value open_region(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  size_t size, length;
  char path[4096];
  if (!get_args(env, info, 2, argv) || !get_size(env, argv[1], &size)) return NULL;
  if (napi_get_value_string_utf8(env, argv[0], path, sizeof path, &length) != napi_ok) {
    napi_throw_type_error(env, NULL, "mproc_shm: path must be a string");
    return NULL;
  }
  int fd = open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0) return throw_errno(env, path);
  struct stat status;
  if (fstat(fd, &status) != 0 || (size_t)status.st_size < size) {
    close(fd);
    napi_throw_error(env, "ERR_MPROC_SHM", "mproc_shm: the shared region is smaller than expected");
    return NULL;
  }
  return wrap_fd(env, fd, size);
}

/* The address of the 32-bit word at `offset` in `buffer`, or NULL with a JS exception. */
static uint32_t *word_at(napi_env env, napi_value buffer, napi_value offset_value) {
  void *data;
  size_t length;
  uint32_t offset;
  if (napi_get_arraybuffer_info(env, buffer, &data, &length) != napi_ok ||
      napi_get_value_uint32(env, offset_value, &offset) != napi_ok || offset % 4 != 0 ||
      (size_t)offset + 4 > length) {
    napi_throw_range_error(env, NULL, "mproc_shm: bad buffer or word offset");
    return NULL;
  }
  return (uint32_t *)((char *)data + offset);
}

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref buffer; /* keeps the mapping alive while a pool thread waits on it */
  uint32_t *word;
  uint32_t expected;
  uint32_t milliseconds;
  int result;
} wait_t;

/* FUTEX_WAIT for at most `milliseconds`: 0 woken, 1 timed out, 2 the word did not hold `expected`. */
static int futex_wait(uint32_t *word, uint32_t expected, uint32_t milliseconds) {
  struct timespec timeout = {milliseconds / 1000, (long)(milliseconds % 1000) * 1000000L};
  /* Not FUTEX_PRIVATE_FLAG: the word is shared with other processes. */
  long rc = syscall(SYS_futex, word, FUTEX_WAIT, expected, &timeout, NULL, 0);
  if (rc == 0) return 0;
  if (errno == ETIMEDOUT) return 1;
  if (errno == EAGAIN) return 2;
  return 0; /* EINTR: the caller re-checks the word, as after any wake */
}

static void wait_execute(napi_env env, void *data) {
  (void)env;
  wait_t *wait = data;
  wait->result = futex_wait(wait->word, wait->expected, wait->milliseconds);
}

static void wait_complete(napi_env env, napi_status status, void *data) {
  wait_t *wait = data;
  napi_value result;
  napi_create_int32(env, status == napi_ok ? wait->result : 0, &result);
  napi_resolve_deferred(env, wait->deferred, result);
  napi_delete_reference(env, wait->buffer);
  napi_delete_async_work(env, wait->work);
  free(wait);
}

/* The word, expected value and milliseconds of wait(...) and waitSync(...); 0 with a JS exception. */
static int get_wait_args(napi_env env, napi_value *argv, uint32_t **word, uint32_t *expected,
                         uint32_t *milliseconds) {
  *word = word_at(env, argv[0], argv[1]);
  if (!*word) return 0;
  int32_t signed_expected;
  if (napi_get_value_int32(env, argv[2], &signed_expected) != napi_ok ||
      napi_get_value_uint32(env, argv[3], milliseconds) != napi_ok) {
    napi_throw_type_error(env, NULL, "mproc_shm: wait(buffer, offset, expected, milliseconds)");
    return 0;
  }
  *expected = (uint32_t)signed_expected;
  return 1;
}

static napi_value wait_sync(napi_env env, napi_callback_info info) {
  napi_value argv[4], result;
  uint32_t *word, expected, milliseconds;
  if (!get_args(env, info, 4, argv) || !get_wait_args(env, argv, &word, &expected, &milliseconds))
    return NULL;
  napi_create_int32(env, futex_wait(word, expected, milliseconds), &result);
  return result;
}

static napi_value wait_async(napi_env env, napi_callback_info info) {
  napi_value argv[4], promise, name;
  uint32_t *word, expected, milliseconds;
  if (!get_args(env, info, 4, argv) || !get_wait_args(env, argv, &word, &expected, &milliseconds))
    return NULL;
  wait_t *wait = calloc(1, sizeof *wait);
  if (!wait) {
    napi_throw_error(env, "ERR_MPROC_SHM", "mproc_shm: out of memory");
    return NULL;
  }
  wait->word = word;
  wait->expected = expected;
  wait->milliseconds = milliseconds;
  napi_create_promise(env, &wait->deferred, &promise);
  napi_create_reference(env, argv[0], 1, &wait->buffer);
  napi_create_string_utf8(env, "mproc.futexWait", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, wait_execute, wait_complete, wait, &wait->work);
  napi_queue_async_work(env, wait->work);
  return promise;
}

static napi_value wake(napi_env env, napi_callback_info info) {
  napi_value argv[3], result;
  if (!get_args(env, info, 3, argv)) return NULL;
  uint32_t *word = word_at(env, argv[0], argv[1]);
  if (!word) return NULL;
  int32_t count;
  if (napi_get_value_int32(env, argv[2], &count) != napi_ok) count = 1;
  long woken = syscall(SYS_futex, word, FUTEX_WAKE, count, NULL, NULL, 0);
  napi_create_int32(env, woken < 0 ? 0 : (int32_t)woken, &result);
  return result;
}

/* --- staged bytes: an unmapped memfd ------------------------------------------------------------
 * Large buffers crossing a process channel are written into a memfd with pwrite and read by the
 * receiver with pread through /proc/<pid>/fd/<n>. No mapping is needed on either side, so the
 * descriptor is the only thing to release, and JS closes it itself (fs.closeSync), at a known time
 * rather than when a buffer is collected. */
static napi_value memfd(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  int fd = (int)syscall(SYS_memfd_create, "mproc-bytes", MFD_CLOEXEC);
  if (fd < 0) return throw_errno(env, "memfd_create");
  napi_create_int32(env, fd, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor properties[] = {
      {"create", NULL, create, NULL, NULL, NULL, napi_enumerable, NULL},
      {"open", NULL, open_region, NULL, NULL, NULL, napi_enumerable, NULL},
      {"wait", NULL, wait_async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"waitSync", NULL, wait_sync, NULL, NULL, NULL, napi_enumerable, NULL},
      {"wake", NULL, wake, NULL, NULL, NULL, napi_enumerable, NULL},
      {"memfd", NULL, memfd, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties);
  return exports;
}
