/* nn/init.c: parameter initialization (nn_net_init).
 *
 * Each parameter tensor draws from its own stream, seeded from (seed, layer index, parameter
 * index), so changing one layer of an architecture leaves the others' initial values alone.
 * Initializers (key `init`, per layer or for the whole network; fans as torch.nn.init computes
 * them, see nn_param):
 *   torch           PyTorch's defaults: weights kaiming_uniform(a = sqrt(5)), i.e.
 *                   U(-1/sqrt(fan_in), 1/sqrt(fan_in)); biases the same bound; BN gamma 1, beta 0
 *   kaiming_normal  weights N(0, sqrt(2 / fan_out)) (mode fan_out, relu), biases 0
 *   xavier_uniform  weights U(+-sqrt(6 / (fan_in + fan_out))), biases 0
 *   xavier_normal   weights N(0, sqrt(2 / (fan_in + fan_out))), biases 0
 *   dcgan           weights N(0, 0.02), biases 0, BN gamma N(1, 0.02), beta 0 (Radford et al.)
 * BN parameters are 1 and 0 except under dcgan. */
#include <math.h>
#include <string.h>

#include "nn/layer.h"
#include "util/seeds.h"

static void fill_param(nn_param *p, int kind, sc_rng *r)
{
    float *w = p->w;
    const size_t n = p->n;
    double lo = 0.0, hi = 0.0, mean = 0.0, sd = 0.0;
    int normal = 0;
    switch (p->role) {
    case NN_ROLE_WEIGHT:
        switch (kind) {
        case NN_INIT_KAIMING_NORMAL: normal = 1, sd = sqrt(2.0 / p->fan_out); break;
        case NN_INIT_XAVIER_UNIFORM:
            hi = sqrt(6.0 / (p->fan_in + p->fan_out)), lo = -hi;
            break;
        case NN_INIT_XAVIER_NORMAL: normal = 1, sd = sqrt(2.0 / (p->fan_in + p->fan_out)); break;
        case NN_INIT_DCGAN: normal = 1, sd = 0.02; break;
        default: hi = 1.0 / sqrt((double)p->fan_in), lo = -hi; break;
        }
        break;
    case NN_ROLE_BIAS:
        if (kind == NN_INIT_TORCH) hi = 1.0 / sqrt((double)p->fan_in), lo = -hi;
        break;
    case NN_ROLE_GAMMA:
        if (kind == NN_INIT_DCGAN) normal = 1, mean = 1.0, sd = 0.02;
        else lo = hi = 1.0;
        break;
    default: /* beta */
        break;
    }
    for (size_t i = 0; i < n; i++) {
        double v = normal ? mean + sd * sc_rng_normal(r) : lo + (hi - lo) * sc_rng_uniform(r);
        w[i] = (float)v;
    }
}

void nn_net_init(nn_net *net, uint64_t seed)
{
    memset(net->params, 0, sizeof(float) * net->n_params);
    for (int i = 0; i < net->n_layers; i++) {
        nn_layer *L = &net->L[i];
        int kind = L->hp.init ? L->hp.init : net->init_kind;
        if (!kind) kind = NN_INIT_TORCH;
        for (int j = 0; j < L->n_par; j++) {
            sc_rng r;
            sc_rng_seed(&r, sc_seed4(seed, SC_SEED_NN_INIT, (uint64_t)i, (uint64_t)j, 0));
            fill_param(&L->par[j], kind, &r);
        }
        if (L->n_stat) { /* running mean 0, running variance 1 */
            size_t c = L->n_stat / 2;
            for (size_t k = 0; k < c; k++) {
                L->stat[k] = 0.0f;
                L->stat[c + k] = 1.0f;
            }
        }
        L->batches_tracked = 0;
    }
    memset(net->grads, 0, sizeof(float) * net->n_params);
    net->grads_zero_pending = 0;
    nn_optim_reset(net);
    nn_net_seed_dropout(net, sc_seed4(seed, SC_SEED_NN_DROPOUT, 0, 0, 0));
    net->fwd_valid = 0;
}
