// calcjob: a Manager thread hands N CPU-bound jobs to K Worker threads through a queue guarded
// by a mutex and a condition variable, and collects the results through a second such queue.
// Every lock, condition-variable wait/signal and job step is an LTTng-UST tracepoint
// (provider `calcjob`, see calcjob_tp.h), so a trace shows which thread waits, when, and where.
//
//   calcjob [-n JOBS] [-k WORKERS] [-s SIZE] [-d DELAY_US] [--coarse-lock] [-q]
//
// The output (total) depends only on -n and -s, so runs can be compared.
#include <getopt.h>
#include <pthread.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#ifdef CALCJOB_NO_TRACE
#define TP(...) \
  do {          \
  } while (0)
#else
#include "calcjob_tp.h"
#define TP(...) lttng_ust_tracepoint(calcjob, __VA_ARGS__)
#endif

// The prime test runs ~10^5 times per job: with -finstrument-functions it is left out (like a
// library function would be) unless CALCJOB_INSTRUMENT_HOT is defined (calcjob-cyg-hot).
#if defined(CALCJOB_INSTRUMENT_HOT)
#define CALCJOB_HOT
#else
#define CALCJOB_HOT __attribute__((no_instrument_function))
#endif

namespace {

struct Options {
  int jobs = 40;
  int workers = 2;
  int size = 80000;
  int delay_us = 0;
  bool coarse = false;
  bool quiet = false;
};

// A std::mutex that traces lock_wait_begin → lock_acquired → lock_release. It is a
// BasicLockable, so std::condition_variable_any's wait() releases and re-takes it through
// lock()/unlock(): the re-acquisition after a condition wait is traced too.
class TracedMutex {
 public:
  TracedMutex(const char *name, int id) : name_(name), id_(id) {}
  void lock() {
    TP(lock_wait_begin, name_, id_, addr());
    m_.lock();
    TP(lock_acquired, name_, id_, addr());
  }
  void unlock() {
    TP(lock_release, name_, id_, addr());
    m_.unlock();
  }
  const char *name() const { return name_; }
  int id() const { return id_; }
  // The pthread_mutex_t: the `mutex` field of liblttng-ust-pthread-wrapper's events.
  const void *addr() { return m_.native_handle(); }

 private:
  std::mutex m_;
  const char *name_;
  int id_;
};

using Guard = std::unique_lock<TracedMutex>;

// A FIFO whose pop waits on a condition variable. The *_locked variants expect the caller to
// hold the queue's mutex (used by --coarse-lock, where one mutex guards everything).
template <typename T>
class TracedQueue {
 public:
  explicit TracedQueue(TracedMutex &m) : m_(m) {}

  void push(const T &v) {
    Guard g(m_);
    push_locked(v);
  }
  void push_locked(const T &v) {
    items_.push_back(v);
    // The signal is traced before notify_one(): notify can briefly block on the condition
    // variable's internal lock, and that time then falls between cond_signal and lock_release.
    TP(cond_signal, m_.name(), m_.id(), m_.addr());
    cv_.notify_one();
  }
  T pop() {
    Guard g(m_);
    return pop_locked(g);
  }
  T pop_locked(Guard &g) {
    while (items_.empty()) {
      TP(cond_wait_begin, m_.name(), m_.id(), m_.addr());
      cv_.wait(g);
      TP(cond_wait_end, m_.name(), m_.id(), m_.addr());
    }
    T v = items_.front();
    items_.pop_front();
    return v;
  }

 private:
  TracedMutex &m_;
  std::condition_variable_any cv_;
  std::deque<T> items_;
};

struct Job {
  int id;    // -1: stop
  int size;  // compute the sum of the primes <= size
};

struct Result {
  int job_id;
  int worker;
  uint64_t value;
};

CALCJOB_HOT bool is_prime(int n) {
  if (n < 2) return false;
  for (int d = 2; d * d <= n; d++) {
    if (n % d == 0) return false;
  }
  return true;
}

uint64_t sum_primes(int limit) {
  uint64_t sum = 0;
  for (int i = 2; i <= limit; i++) {
    if (is_prime(i)) sum += static_cast<uint64_t>(i);
  }
  return sum;
}

// Job sizes vary deterministically between 0.5 and 1.5 times -s.
int job_size(int id, int size) { return static_cast<int>(static_cast<int64_t>(size) * (50 + (id * 37) % 101) / 100); }

void name_thread(const char *role, int index, const std::string &name) {
  // Before the first tracepoint of the thread: lttng-ust caches the procname context per thread.
  pthread_setname_np(pthread_self(), name.c_str());
  TP(thread_role, role, index, name.c_str());
  (void)role;  // unused when built without tracepoints
  (void)index;
}

struct Shared {
  explicit Shared(bool coarse)
      : job_lock(coarse ? "global" : "job_queue", 0),
        result_lock(coarse ? "global" : "result_queue", coarse ? 0 : 1),
        jobs(job_lock),
        results(coarse ? job_lock : result_lock) {}
  TracedMutex job_lock;
  TracedMutex result_lock;  // unused with --coarse-lock
  TracedQueue<Job> jobs;
  TracedQueue<Result> results;
};

void worker_main(Shared &s, const Options &o, int w) {
  name_thread("worker", w, "calcjob-w" + std::to_string(w));
  TP(worker_begin, w);
  int done = 0;
  for (;;) {
    if (o.coarse) {
      // Deliberately bad: the job is computed while holding the one global lock, so the workers
      // (and the manager) run one at a time.
      Guard g(s.job_lock);
      Job job = s.jobs.pop_locked(g);
      if (job.id < 0) break;
      TP(job_start, job.id, w);
      uint64_t r = sum_primes(job.size);
      TP(job_end, job.id, w, r);
      s.results.push_locked(Result{job.id, w, r});
    } else {
      Job job = s.jobs.pop();
      if (job.id < 0) break;
      TP(job_start, job.id, w);
      uint64_t r = sum_primes(job.size);
      TP(job_end, job.id, w, r);
      s.results.push(Result{job.id, w, r});
    }
    done++;
  }
  TP(worker_end, w, done);
}

void manager_main(const Options &o, uint64_t &total) {
  name_thread("manager", 0, "calcjob-mgr");
  Shared s(o.coarse);
  std::vector<std::thread> workers;
  for (int w = 0; w < o.workers; w++) workers.emplace_back(worker_main, std::ref(s), std::cref(o), w);

  TP(manager_begin, o.jobs, o.workers, o.size, o.coarse ? 1 : 0);
  for (int i = 0; i < o.jobs; i++) {
    int size = job_size(i, o.size);
    TP(job_enqueue, i, size);
    s.jobs.push(Job{i, size});
    if (o.delay_us > 0) usleep(static_cast<useconds_t>(o.delay_us));
  }
  total = 0;
  for (int i = 0; i < o.jobs; i++) {
    Result r = s.results.pop();
    TP(result_collect, r.job_id, r.worker, r.value);
    total += r.value;
  }
  TP(manager_end, o.jobs, total);

  for (int w = 0; w < o.workers; w++) s.jobs.push(Job{-1, 0});
  for (auto &t : workers) t.join();
}

[[noreturn]] void usage(int code) {
  std::fprintf(code ? stderr : stdout,
               "usage: calcjob [-n JOBS] [-k WORKERS] [-s SIZE] [-d DELAY_US] [--coarse-lock|--fine-lock] [-q]\n"
               "  -n JOBS        jobs to compute (default 40)\n"
               "  -k WORKERS     worker threads (default 2)\n"
               "  -s SIZE        job size: sum of the primes up to ~SIZE (default 80000, ~2 ms)\n"
               "  -d DELAY_US    pause between two enqueued jobs (default 0)\n"
               "  --coarse-lock  one global lock, held while computing (a deliberately bad variant)\n"
               "  --fine-lock    one lock per queue, computing outside the locks (default)\n"
               "  -q             print nothing\n");
  std::exit(code);
}

int int_arg(const char *opt, const char *v, int min) {
  char *end = nullptr;
  long n = std::strtol(v, &end, 10);
  if (*v == '\0' || *end != '\0' || n < min || n > 100000000) {
    std::fprintf(stderr, "calcjob: %s takes a whole number >= %d, not \"%s\"\n", opt, min, v);
    std::exit(2);
  }
  return static_cast<int>(n);
}

Options parse(int argc, char **argv) {
  Options o;
  static const option longopts[] = {{"coarse-lock", no_argument, nullptr, 'C'},
                                    {"fine-lock", no_argument, nullptr, 'F'},
                                    {"help", no_argument, nullptr, 'h'},
                                    {nullptr, 0, nullptr, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "n:k:s:d:qh", longopts, nullptr)) != -1) {
    switch (c) {
      case 'n': o.jobs = int_arg("-n", optarg, 0); break;
      case 'k': o.workers = int_arg("-k", optarg, 1); break;
      case 's': o.size = int_arg("-s", optarg, 1); break;
      case 'd': o.delay_us = int_arg("-d", optarg, 0); break;
      case 'C': o.coarse = true; break;
      case 'F': o.coarse = false; break;
      case 'q': o.quiet = true; break;
      case 'h': usage(0);
      default: usage(2);
    }
  }
  if (optind < argc) usage(2);
  return o;
}

}  // namespace

int main(int argc, char **argv) {
  Options o = parse(argc, argv);
  TP(thread_role, "main", 0, "calcjob");
  uint64_t total = 0;
  std::thread manager(manager_main, std::cref(o), std::ref(total));
  manager.join();
  if (!o.quiet) {
    std::printf("calcjob: %d jobs, %d workers, %s lock, total=%llu\n", o.jobs, o.workers, o.coarse ? "coarse" : "fine",
                static_cast<unsigned long long>(total));
  }
  return 0;
}
