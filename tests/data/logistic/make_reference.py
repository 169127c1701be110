#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Writes the logistic regression reference of tests/multivariate/logistic_test.cpp, run once
# offline (Debian 12: python3-sklearn 1.2.1, python3-statsmodels 0.13.5):
#   /usr/bin/python3 tests/data/logistic/make_reference.py tests/data/logistic
# breast_cancer.csv: scikit-learn's copy of the Wisconsin Diagnostic Breast Cancer data
# (Street, Wolberg and Mangasarian 1993; UCI), 569 records, five raw (unscaled) features and
# the label (1: benign, 0: malignant), in the data set's order.
# breast_cancer_reference.csv: statsmodels Logit (Newton, tol 1e-12) on those records with a
# constant: per coefficient the estimate and its standard error (from the observed
# information), and the log-likelihood at the maximum.
import os
import sys

import numpy as np
import statsmodels.api as sm
from sklearn.datasets import load_breast_cancer

out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
data = load_breast_cancer()
names = ['mean radius', 'mean texture', 'mean smoothness', 'mean concavity', 'worst area']
columns = [list(data.feature_names).index(n) for n in names]
x = data.data[:, columns]
y = data.target
with open(os.path.join(out, 'breast_cancer.csv'), 'w') as f:
    f.write(','.join(n.replace(' ', '_') for n in names) + ',benign\n')
    for row, label in zip(x, y):
        f.write(','.join(repr(float(v)) for v in row) + ',%d\n' % label)
fit = sm.Logit(y, sm.add_constant(x)).fit(method='newton', tol=1e-12, maxiter=200, disp=0)
assert fit.mle_retvals['converged']
with open(os.path.join(out, 'breast_cancer_reference.csv'), 'w') as f:
    f.write('term,coefficient,std_error\n')
    for term, b, se in zip(['intercept'] + [n.replace(' ', '_') for n in names],
                           fit.params, fit.bse):
        f.write('%s,%r,%r\n' % (term, float(b), float(se)))
    f.write('log_likelihood,%r,\n' % float(fit.llf))
