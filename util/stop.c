/* util/stop.c: see stop.h. */
#include "util/stop.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t requested = 0;

static void on_signal(int sig)
{
    if (!requested) requested = sig;
}

void sc_stop_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART; /* MPI and file calls go on; the loops look at the flag */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
}

int sc_stop_requested(void) { return requested; }

void sc_stop_request(int why)
{
    if (!requested) requested = why;
}

const char *sc_stop_name(int why)
{
    switch (why) {
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGUSR1: return "SIGUSR1";
    case SC_STOP_BY_MASTER: return "the master rank";
    default: return "a stop request";
    }
}
