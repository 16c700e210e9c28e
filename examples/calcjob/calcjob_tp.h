/*
 * LTTng-UST 2.13 tracepoint provider of calcjob (provider name `calcjob`).
 *
 * Events (payload fields in braces; every event also gets the contexts the session adds,
 * e.g. vpid, vtid, procname, ip):
 *
 *   thread_role     {role, index, name}      a thread says what it is (main, manager, worker N)
 *   manager_begin   {n_jobs, n_workers, job_size, coarse_lock}
 *   manager_end     {n_results, total}
 *   worker_begin    {worker}                 worker_end {worker, jobs_done}
 *   job_enqueue     {job_id, size}           the manager pushed a job
 *   job_start       {job_id, worker}         a worker took it ...
 *   job_end         {job_id, worker, result} ... and finished computing it
 *   result_collect  {job_id, worker, result} the manager took the result
 *   lock_wait_begin / lock_acquired / lock_release          {lock, lock_id, addr}
 *   cond_wait_begin / cond_wait_end / cond_signal           {lock, lock_id, addr}
 *
 * `lock` is the queue's name, `lock_id` a small number (0 job_queue, 1 result_queue; with
 * --coarse-lock both queues share lock 0 "global"), `addr` the pthread_mutex_t address, equal
 * to the `mutex` field of liblttng-ust-pthread-wrapper's events.
 *
 * This is the usual LTTng-UST provider layout: this header, included once with
 * LTTNG_UST_TRACEPOINT_CREATE_PROBES + LTTNG_UST_TRACEPOINT_DEFINE (calcjob_tp.cpp) to generate
 * the probes, and everywhere else to call lttng_ust_tracepoint(calcjob, NAME, ...).
 */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER calcjob

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "./calcjob_tp.h"

#if !defined(CALCJOB_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define CALCJOB_TP_H

#include <lttng/tracepoint.h>
#include <stdint.h>

LTTNG_UST_TRACEPOINT_EVENT(calcjob, thread_role,
    LTTNG_UST_TP_ARGS(const char *, role, int, index, const char *, name),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_string(role, role)
        lttng_ust_field_integer(int, index, index)
        lttng_ust_field_string(name, name)))

LTTNG_UST_TRACEPOINT_EVENT(calcjob, manager_begin,
    LTTNG_UST_TP_ARGS(int, n_jobs, int, n_workers, int, job_size, int, coarse_lock),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int, n_jobs, n_jobs)
        lttng_ust_field_integer(int, n_workers, n_workers)
        lttng_ust_field_integer(int, job_size, job_size)
        lttng_ust_field_integer(int, coarse_lock, coarse_lock)))

LTTNG_UST_TRACEPOINT_EVENT(calcjob, manager_end,
    LTTNG_UST_TP_ARGS(int, n_results, uint64_t, total),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int, n_results, n_results)
        lttng_ust_field_integer(uint64_t, total, total)))

LTTNG_UST_TRACEPOINT_EVENT(calcjob, worker_begin,
    LTTNG_UST_TP_ARGS(int, worker),
    LTTNG_UST_TP_FIELDS(lttng_ust_field_integer(int, worker, worker)))

LTTNG_UST_TRACEPOINT_EVENT(calcjob, worker_end,
    LTTNG_UST_TP_ARGS(int, worker, int, jobs_done),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int, worker, worker)
        lttng_ust_field_integer(int, jobs_done, jobs_done)))

LTTNG_UST_TRACEPOINT_EVENT(calcjob, job_enqueue,
    LTTNG_UST_TP_ARGS(int, job_id, int, size),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int, job_id, job_id)
        lttng_ust_field_integer(int, size, size)))

LTTNG_UST_TRACEPOINT_EVENT(calcjob, job_start,
    LTTNG_UST_TP_ARGS(int, job_id, int, worker),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int, job_id, job_id)
        lttng_ust_field_integer(int, worker, worker)))

LTTNG_UST_TRACEPOINT_EVENT(calcjob, job_end,
    LTTNG_UST_TP_ARGS(int, job_id, int, worker, uint64_t, result),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int, job_id, job_id)
        lttng_ust_field_integer(int, worker, worker)
        lttng_ust_field_integer(uint64_t, result, result)))

LTTNG_UST_TRACEPOINT_EVENT(calcjob, result_collect,
    LTTNG_UST_TP_ARGS(int, job_id, int, worker, uint64_t, result),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int, job_id, job_id)
        lttng_ust_field_integer(int, worker, worker)
        lttng_ust_field_integer(uint64_t, result, result)))

/* One class for every lock and condition-variable event: same fields, one probe. */
LTTNG_UST_TRACEPOINT_EVENT_CLASS(calcjob, lock_class,
    LTTNG_UST_TP_ARGS(const char *, lock, int, lock_id, const void *, addr),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_string(lock, lock)
        lttng_ust_field_integer(int, lock_id, lock_id)
        lttng_ust_field_integer_hex(uintptr_t, addr, (uintptr_t)addr)))

#define CALCJOB_LOCK_EVENT(name)                                                   \
    LTTNG_UST_TRACEPOINT_EVENT_INSTANCE(calcjob, lock_class, calcjob, name,         \
        LTTNG_UST_TP_ARGS(const char *, lock, int, lock_id, const void *, addr))

CALCJOB_LOCK_EVENT(lock_wait_begin)
CALCJOB_LOCK_EVENT(lock_acquired)
CALCJOB_LOCK_EVENT(lock_release)
CALCJOB_LOCK_EVENT(cond_wait_begin)
CALCJOB_LOCK_EVENT(cond_wait_end)
CALCJOB_LOCK_EVENT(cond_signal)

#endif /* CALCJOB_TP_H */

#include <lttng/tracepoint-event.h>
