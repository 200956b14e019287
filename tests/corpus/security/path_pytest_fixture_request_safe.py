# expect: none
import shutil
import pytest

@pytest.fixture
def workdir(request, tmp_path):
    target = tmp_path / request.param
    yield target
    shutil.rmtree(target)

def test_x(request):
    shutil.rmtree(request.node.name)
