import os

import pytest
import torch
from hypothesis import HealthCheck, settings

# The bad-input suites: the same examples on every run (a CI failure can be replayed), about a minute in
# all on two cores. HYPOTHESIS_PROFILE=thorough draws ten times as many, freshly, for a deeper search.
settings.register_profile("dlnotes", max_examples=30, deadline=None, derandomize=True, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                                 HealthCheck.data_too_large])
settings.register_profile("thorough", parent=settings.get_profile("dlnotes"), max_examples=300, derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dlnotes"))


@pytest.fixture(autouse=True, scope="module")
def one_thread(request):
    """The engine's tests run on tiny tensors: one thread, restored afterwards.

    Threads gain nothing at these sizes, and on a busy 2-core machine their
    contention makes each op ~100x slower.
    """
    if request.module.__name__.rsplit(".", 1)[-1] not in ("test_training", "test_callbacks", "test_loader",
                                                            "test_bad_input", "test_bad_input_scratch"):
        yield
        return
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
