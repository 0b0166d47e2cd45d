import pytest
import torch


@pytest.fixture(autouse=True, scope="module")
def one_thread(request):
    """The engine's tests run on tiny tensors: one thread, restored afterwards.

    Threads gain nothing at these sizes, and on a busy 2-core machine their
    contention makes each op ~100x slower.
    """
    if request.module.__name__.rsplit(".", 1)[-1] not in ("test_training", "test_callbacks", "test_loader"):
        yield
        return
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
