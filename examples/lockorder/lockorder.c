// lockorder: two threads move money between two accounts, each transfer locking the source
// account, then the destination. Thread "xfer-ab" transfers A → B, thread "xfer-ba" B → A: they
// take the same two mutexes in opposite orders, the classic lock-order inversion.
//
//   lockorder deadlock   both threads hold their first lock before asking for the second (a
//                        barrier makes sure of it): they deadlock. A watchdog sees them stuck
//                        1 s after both asked, says so and exits with status 3.
//   lockorder risk       the same code, but xfer-ba starts only after xfer-ab is done: it runs
//                        to the end, the inversion is only a risk (exit status 0).
//   lockorder ordered    both threads lock the lower address first, whatever the direction:
//                        no inversion.
//
// Record it with the pthread wrapper, which traces pthread_mutex_lock/trylock/unlock:
//   tracelane record --pthread -o /tmp/lo -- ./lockorder deadlock
// The watchdog ends the process with exit(), a normal exit: LTTng-UST's buffers are shared
// with the consumer daemon, so every event written before the exit is in the trace.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct account {
  pthread_mutex_t lock;  // first field: the mutex's address is the account's
  long balance;
};

static struct account account_a = {PTHREAD_MUTEX_INITIALIZER, 1000};
static struct account account_b = {PTHREAD_MUTEX_INITIALIZER, 1000};

enum mode { DEADLOCK, RISK, ORDERED };
static enum mode mode;

static pthread_barrier_t both_hold_first;  // deadlock mode: both threads hold their first lock
static sem_t ab_done;                      // risk mode: xfer-ba waits for xfer-ab
static sem_t asking;                       // posted by each thread just before its second lock
static sem_t finished;                     // the watchdog counts finished threads

struct transfer {
  const char *name;
  struct account *from, *to;
  long amount;
};

// noinline: each lock call keeps its own caller address (the `ip` the wrapper records).
__attribute__((noinline)) static void transfer(const struct transfer *t) {
  struct account *first = t->from, *second = t->to;
  if (mode == ORDERED && first > second) {  // one global order: lower address first
    first = t->to;
    second = t->from;
  }
  pthread_mutex_lock(&first->lock);
  if (mode == DEADLOCK) pthread_barrier_wait(&both_hold_first);
  sem_post(&asking);
  pthread_mutex_lock(&second->lock);
  t->from->balance -= t->amount;
  t->to->balance += t->amount;
  pthread_mutex_unlock(&second->lock);
  pthread_mutex_unlock(&first->lock);
}

static void *transfer_thread(void *arg) {
  const struct transfer *t = arg;
  // Named before its first traced call: LTTng-UST keeps the first procname of a thread.
  pthread_setname_np(pthread_self(), t->name);
  if (mode == RISK && t->from == &account_b) sem_wait(&ab_done);
  transfer(t);
  if (mode == RISK && t->from == &account_a) sem_post(&ab_done);
  sem_post(&finished);
  return NULL;
}

// Waits for `n` posts of `sem` for at most `seconds`; returns how many did not come.
static int wait_for(sem_t *sem, int n, int seconds) {
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += seconds;
  for (int got = 0; got < n; got++) {
    int rc;
    while ((rc = sem_timedwait(sem, &deadline)) != 0 && errno == EINTR) continue;
    if (rc != 0) return n - got;
  }
  return 0;
}

int main(int argc, char **argv) {
  const char *m = argc > 1 ? argv[1] : "";
  if (strcmp(m, "deadlock") == 0) mode = DEADLOCK;
  else if (strcmp(m, "risk") == 0) mode = RISK;
  else if (strcmp(m, "ordered") == 0) mode = ORDERED;
  else {
    fprintf(stderr, "usage: lockorder deadlock|risk|ordered\n");
    return 2;
  }
  pthread_barrier_init(&both_hold_first, NULL, 2);
  sem_init(&ab_done, 0, 0);
  sem_init(&asking, 0, 0);
  sem_init(&finished, 0, 0);
  static struct transfer ab = {"xfer-ab", &account_a, &account_b, 100};
  static struct transfer ba = {"xfer-ba", &account_b, &account_a, 30};
  pthread_t threads[2];
  pthread_create(&threads[0], NULL, transfer_thread, &ab);
  pthread_create(&threads[1], NULL, transfer_thread, &ba);

  // The watchdog: once both threads are about to ask for their second lock (however slowly a
  // loaded machine got them there), both must finish within 1 s.
  if (wait_for(&asking, 2, 30) != 0) {
    fprintf(stderr, "lockorder: watchdog: the threads did not start within 30 s\n");
    exit(4);
  }
  int blocked = wait_for(&finished, 2, 1);
  if (blocked > 0) {
    fprintf(stderr, "lockorder: watchdog: %d of 2 threads still blocked after 1 s: deadlock\n", blocked);
    exit(3);  // a normal exit (atexit handlers, library destructors) with the threads stuck
  }
  for (int i = 0; i < 2; i++) pthread_join(threads[i], NULL);
  printf("lockorder %s: A = %ld, B = %ld\n", m, account_a.balance, account_b.balance);
  return 0;
}
