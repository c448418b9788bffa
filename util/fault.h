/* util/fault.h: test-only fault injection.  The tests make chosen parts fail on purpose to check
 * what happens then (a failed job's dependents, a clean stop); users never set it.
 *
 * SPECTCV_FAULT is a comma-separated list of SITE:ID or SITE:ID@N, e.g. "job:12,stop:3@5":
 * sc_fault("job", 12) is then 1 and sc_fault_arg("stop", 3) is 5.  Sites: "job" (the job of that
 * id fails as it starts, with the message "injected fault"), "stop" (job ID asks the sweep to
 * stop after N training steps, as a SIGTERM would: jobs/checkpoint.c), "nan" (classifier job ID's
 * batches are NaN from epoch N on, so that it fails there as a diverging job does: its loss
 * history finite before, NaN from then: jobs/train_job.c), and the collective steps
 * of `run` with ID the rank (MPI_COMM_WORLD) that fails there (sc_fault_step, util/agree.h):
 * experiment, dataset-open (before the collective open), dataset-read (after it), data-load
 * (a rank's slice of the images, between the shared window's fences),
 * run-info, results-create, results-reopen (before the collective create/open), results-write
 * (a rank's own writes during creation), checkpoints, schedule (a worker that cannot work),
 * results-close (after the collective close), summary (rank 0).  tests/integration/
 * t_collective.sh makes each fail in turn. */
#ifndef SC_UTIL_FAULT_H
#define SC_UTIL_FAULT_H

/* 1 if SPECTCV_FAULT names SITE:ID (with or without @N). */
int sc_fault(const char *site, long id);
/* N of SITE:ID@N in SPECTCV_FAULT, -1 if absent. */
long sc_fault_arg(const char *site, long id);

#endif
