"""The seed's own restore logic, run against pbscope's pickle: it must pass unchanged.

The seed (../shared/seed/load-pb-continue-training.md, section 6) rebuilds the model in
code, keeps the trainable variables in scope MobileNetV1 (optionally without the last
layer MobileNetV1/Bottleneck2), assigns each from the pickle entry whose key equals
``var.name``, and asserts that the counts agree.
"""
from __future__ import annotations

import pickle
import sys
from pathlib import Path

import numpy as np
import pytest

from pbscope.core.export import export_weights
from pbscope.core.formats import open_model

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "resources" / "demo_mobilenet_v1.pb"


def seed_restore_form_pkl(tf, sess, pklpath, except_last=True):
    """The seed's restore_form_pkl, as written there, with TF1 names via tf.compat.v1."""
    def load_pkl(name):
        with open(name, "rb") as f:
            return pickle.load(f)
    modelvarlist = [var for var in tf.trainable_variables(scope='MobileNetV1')
                    if not (except_last and 'MobileNetV1/Bottleneck2' in var.name)]
    pre_weight_dict = load_pkl(pklpath)
    var_num = len(modelvarlist)
    opt_list = []
    for newv in modelvarlist:
        for k, oldv in pre_weight_dict.items():
            if k == newv.name:
                opt_list.append(tf.assign(newv, oldv))
    assert len(opt_list) == var_num
    sess.run(opt_list)
    return modelvarlist


@pytest.mark.parametrize("except_last", [True, False])
def test_the_recipes_restore_accepts_pbscopes_pickle(tmp_path, except_last):
    tf = pytest.importorskip("tensorflow")
    sys.path.insert(0, str(ROOT / "resources"))
    import make_demo
    g = open_model(DEMO)
    out = tmp_path / "weights.pkl"
    export_weights(g.weights, out)
    v1 = tf.compat.v1
    with tf.Graph().as_default() as graph:
        make_demo.define()                     # zeros: the model "defined again in code"
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            restored = seed_restore_form_pkl(v1, sess, str(out), except_last=except_last)
            # trainable: not the moving statistics; and without Bottleneck2 if except_last
            expected = [w.key for w in g.weights if w.trainable
                        and not (except_last and "MobileNetV1/Bottleneck2" in w.key)]
            assert [v.name for v in restored] == expected and len(expected) == (39 if except_last else 41)
            for var, value in zip(restored, sess.run(restored)):
                np.testing.assert_array_equal(value, g.find_weight(var.name).array())
