/* nn/weights.h: saving and loading a network's parameters and batch-norm statistics in HDF5
 * (format: docs/formats.md, "Model weights").
 *
 * One group per layer that has parameters, named by the layer's name, holding datasets in
 * PyTorch's layouts (`weight`, `bias`, ...; batch norm also `running_mean`, `running_var`,
 * `num_batches_tracked`), and, on the group written into, attributes describing the network:
 * `format`, `arch_text`, `arch_json`, `input_shape`, `n_out`, `num_params`.
 *
 * Serial HDF5 with the default file access: nn calls no MPI.  Loading checks every dataset's
 * shape and errors name the file, the layer group and the dataset. */
#ifndef SC_NN_WEIGHTS_H
#define SC_NN_WEIGHTS_H

#include <hdf5.h>

#include "nn/nn.h"

/* Write the whole model into a new file (replacing an existing one). */
int nn_weights_save(const nn_net *net, const char *path);
/* Read parameters and statistics from a file written by nn_weights_save for the same
 * architecture (any input size where the shapes are the same). */
int nn_weights_load(nn_net *net, const char *path);

/* The same into / from an already-open group; `where` names the group in messages (e.g.
 * "w.h5:/model").  No command stores classifier weights yet: `run` keeps only their scores, and
 * the one network it stores in a results file, each GAN job's generator, goes there as the flat
 * vector below (nn_state_get), not in this per-layer format. */
int nn_weights_write_group(const nn_net *net, hid_t group, const char *where);
int nn_weights_read_group(nn_net *net, hid_t group, const char *where);

/* The network as one flat float vector, for a pre-allocated dataset of a results file (a GAN's
 * generator) or a checkpoint: every parameter tensor in layer order (PyTorch layouts, as the
 * weights file has them), then every batch-norm layer's running_mean and running_var.  The
 * counts of batches tracked are not included (they matter only to a batch norm without
 * momentum, which nn does not have). */
size_t nn_state_size(const nn_net *net);
void nn_state_get(const nn_net *net, float *out);
void nn_state_set(nn_net *net, const float *in);
/* The layout of that vector as JSON (malloc'd): {"format": "spectcv-state/1", "tensors":
 * [{"name": "LAYER/PARAM", "offset": FLOATS, "shape": [...]}, ...]}. */
char *nn_state_layout(const nn_net *net);

#endif
