/* nn/loss.c: losses on logits, mean reduction, accumulated in double.
 *
 * BCE (torch.nn.BCEWithLogitsLoss): per element (1 - y) x + w softplus(-x) with
 * w = 1 + (pos_weight - 1) y and softplus(-x) = max(-x, 0) + log1p(exp(-|x|)), which never
 * overflows; its derivative is (1 - y) - w sigmoid(-x) (= sigmoid(x) - y when w = 1). */
#include <math.h>

#include "nn/nn.h"

double nn_loss_bce_logits(const float *logits, const float *y, int b, int n,
                          const float *pos_weight, float *dlogits)
{
    const double inv = 1.0 / ((double)b * n);
    double sum = 0.0;
    for (int i = 0; i < b; i++)
        for (int j = 0; j < n; j++) {
            const size_t k = (size_t)i * n + j;
            const double x = logits[k], t = y[k];
            const double w = pos_weight ? 1.0 + ((double)pos_weight[j] - 1.0) * t : 1.0;
            const double e = exp(-fabs(x));
            const double softplus_neg = (x < 0 ? -x : 0.0) + log1p(e);
            sum += (1.0 - t) * x + w * softplus_neg;
            if (dlogits) {
                const double sig_neg = x >= 0 ? e / (1.0 + e) : 1.0 / (1.0 + e); /* sigmoid(-x) */
                dlogits[k] = (float)(((1.0 - t) - w * sig_neg) * inv);
            }
        }
    return sum * inv;
}

double nn_loss_softmax_ce(const float *logits, const float *y, int b, int n, float *dlogits)
{
    double sum = 0.0;
    for (int i = 0; i < b; i++) {
        const float *x = logits + (size_t)i * n, *t = y + (size_t)i * n;
        double mx = x[0];
        for (int j = 1; j < n; j++) mx = x[j] > mx ? x[j] : mx;
        double z = 0.0, tsum = 0.0;
        for (int j = 0; j < n; j++) {
            z += exp(x[j] - mx);
            tsum += t[j];
        }
        const double lse = mx + log(z);
        for (int j = 0; j < n; j++) {
            sum -= t[j] * (x[j] - lse);
            if (dlogits) dlogits[(size_t)i * n + j] = (float)((exp(x[j] - lse) * tsum - t[j]) / b);
        }
    }
    return sum / b;
}
