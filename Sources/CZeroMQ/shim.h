#ifndef FERRY_CZEROMQ_SHIM_H
#define FERRY_CZEROMQ_SHIM_H
#include <zmq.h>
#endif
