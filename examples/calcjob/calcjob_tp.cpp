// The tracepoint probes of provider `calcjob`: compiled once, linked with -llttng-ust -ldl.
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "calcjob_tp.h"
