// A preload library (LD_PRELOAD) that makes one system call fail, for the fault-injection sweep
// (tests/fault/sweep.sh). It sits below everything the tools do: our own streams, SQLite's
// VFS, zlib, the state files.
//
//   ETL_FAULT=OP:N:KIND   the Nth call of OP fails, once; OP is write (write, pwrite, pwrite64),
//                         read (read, pread, pread64), fsync (fsync, fdatasync) or rename
//                         (rename, renameat, renameat2); KIND is ENOSPC, EIO or short (a write or
//                         read that moves half the bytes: correct code goes on with the rest)
//   ETL_FAULT_TALLY=FILE  at exit, append "OP COUNT" lines: how many calls each OP made, so the
//                         sweep knows which N to try
//
// Only reads and writes of regular files past stderr count: a tool's messages on stderr stay
// readable, and pipes (stdin/stdout of a chain) are not disks.
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>

namespace {

enum Op { kWrite, kRead, kFsync, kRename, kOps };
const char* const kOpNames[kOps] = {"write", "read", "fsync", "rename"};

struct Plan {
  int op = -1;
  long nth = 0;
  int error = 0;  // 0: a short count
};

std::atomic<long> g_calls[kOps];

Plan parse_plan() {
  Plan plan;
  const char* spec = getenv("ETL_FAULT");
  if (spec == nullptr || *spec == '\0') return plan;
  char op[16] = {0}, kind[16] = {0};
  long nth = 0;
  if (sscanf(spec, "%15[a-z]:%ld:%15s", op, &nth, kind) != 3 || nth < 1) {
    fprintf(stderr, "fault_inject: bad ETL_FAULT '%s' (OP:N:KIND)\n", spec);
    abort();
  }
  for (int i = 0; i < kOps; ++i)
    if (strcmp(op, kOpNames[i]) == 0) plan.op = i;
  if (strcmp(kind, "ENOSPC") == 0)
    plan.error = ENOSPC;
  else if (strcmp(kind, "EIO") == 0)
    plan.error = EIO;
  else if (strcmp(kind, "short") != 0)
    plan.op = -1;
  if (plan.op < 0 || (plan.error == 0 && (plan.op == kFsync || plan.op == kRename))) {
    fprintf(stderr, "fault_inject: bad ETL_FAULT '%s'\n", spec);
    abort();
  }
  plan.nth = nth;
  return plan;
}

const Plan& plan() {
  static const Plan p = parse_plan();
  return p;
}

bool counts(int fd) {
  struct stat st;
  return fd > 2 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

// Counts the call; true when this is the one to fail (errno is set for an error plan).
bool strikes(int op) {
  long n = ++g_calls[op];
  const Plan& p = plan();
  if (p.op != op || n != p.nth) return false;
  if (p.error != 0) errno = p.error;
  return true;
}

template <typename F>
F next(const char* name) {
  return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

// An I/O call: counted when it is on a regular file; the struck one fails or moves half.
template <typename Call>
ssize_t io(int op, int fd, size_t n, Call call) {
  if (!counts(fd) || !strikes(op)) return call(n);
  if (plan().error != 0) return -1;
  return call(n > 1 ? n / 2 : n);
}

void write_tally() {
  const char* path = getenv("ETL_FAULT_TALLY");
  if (path == nullptr) return;
  FILE* f = fopen(path, "a");
  if (f == nullptr) return;
  for (int i = 0; i < kOps; ++i) fprintf(f, "%s %ld\n", kOpNames[i], g_calls[i].load());
  fclose(f);
}

__attribute__((constructor)) void start() {
  plan();
  atexit(write_tally);
}

}  // namespace

extern "C" {

ssize_t write(int fd, const void* buf, size_t n) {
  static auto real = next<ssize_t (*)(int, const void*, size_t)>("write");
  return io(kWrite, fd, n, [&](size_t m) { return real(fd, buf, m); });
}
ssize_t pwrite(int fd, const void* buf, size_t n, off_t at) {
  static auto real = next<ssize_t (*)(int, const void*, size_t, off_t)>("pwrite");
  return io(kWrite, fd, n, [&](size_t m) { return real(fd, buf, m, at); });
}
ssize_t pwrite64(int fd, const void* buf, size_t n, off64_t at) {
  static auto real = next<ssize_t (*)(int, const void*, size_t, off64_t)>("pwrite64");
  return io(kWrite, fd, n, [&](size_t m) { return real(fd, buf, m, at); });
}
ssize_t read(int fd, void* buf, size_t n) {
  static auto real = next<ssize_t (*)(int, void*, size_t)>("read");
  return io(kRead, fd, n, [&](size_t m) { return real(fd, buf, m); });
}
ssize_t pread(int fd, void* buf, size_t n, off_t at) {
  static auto real = next<ssize_t (*)(int, void*, size_t, off_t)>("pread");
  return io(kRead, fd, n, [&](size_t m) { return real(fd, buf, m, at); });
}
ssize_t pread64(int fd, void* buf, size_t n, off64_t at) {
  static auto real = next<ssize_t (*)(int, void*, size_t, off64_t)>("pread64");
  return io(kRead, fd, n, [&](size_t m) { return real(fd, buf, m, at); });
}
int fsync(int fd) {
  static auto real = next<int (*)(int)>("fsync");
  return strikes(kFsync) ? -1 : real(fd);
}
int fdatasync(int fd) {
  static auto real = next<int (*)(int)>("fdatasync");
  return strikes(kFsync) ? -1 : real(fd);
}
int rename(const char* from, const char* to) {
  static auto real = next<int (*)(const char*, const char*)>("rename");
  return strikes(kRename) ? -1 : real(from, to);
}
int renameat(int dfrom, const char* from, int dto, const char* to) {
  static auto real = next<int (*)(int, const char*, int, const char*)>("renameat");
  return strikes(kRename) ? -1 : real(dfrom, from, dto, to);
}

}  // extern "C"
