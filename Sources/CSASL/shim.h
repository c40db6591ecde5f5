// CSASL: the Cyrus SASL client API (libsasl2) for the Auth target.
// Exists so Swift can import <sasl/sasl.h>; wrappers for macros go here, each named after the C name.
#ifndef MAILENGINE_CSASL_SHIM_H
#define MAILENGINE_CSASL_SHIM_H
#include <sasl/sasl.h>
#include <sasl/saslutil.h>
#endif
