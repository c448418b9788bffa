/* nn/checkpoint.h: a network's whole training state, to stop a training and go on later bit for
 * bit (nn_fit's nn_fit_pos says where; the job's checkpoint file holds both: jobs/checkpoint.h).
 *
 * In an open HDF5 group (serial): dataset `state` (nn_state_get: parameters and batch-norm
 * statistics), `optim` (the optimizer's moments or momentum buffers, 2 per parameter),
 * `batches_tracked` (int64, one per batch-norm layer), attribute `optim_steps`, and the dropout
 * stream's state (`rng`: its 4 words, `rng_spare`: has_spare and the spare normal).  Reading
 * checks every size against the network (a checkpoint of another architecture is an error
 * naming the dataset). */
#ifndef SC_NN_CHECKPOINT_H
#define SC_NN_CHECKPOINT_H

#include <hdf5.h>

#include "nn/nn.h"

int nn_train_state_write(const nn_net *net, hid_t group, const char *where);
int nn_train_state_read(nn_net *net, hid_t group, const char *where);

#endif
