"""A real Prometheus (Debian's `prometheus` package) scraping CareLane's /metrics on the ONOS
test bed: started on loopback with a generated config and its own data directory, stopped by PID.
"""
import json
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import onos_testbed as onos

PORT = 9091   # not 9090: the Debian package may start its own service there
URL = f'http://127.0.0.1:{PORT}'
SCRAPE_SECONDS = 2
CONFIG = f"""global:
  scrape_interval: {SCRAPE_SECONDS}s
  scrape_timeout: {SCRAPE_SECONDS}s
scrape_configs:
  - job_name: carelane
    metrics_path: /onos/carelane/metrics
    basic_auth: {{username: onos, password: rocks}}
    static_configs: [{{targets: ['127.0.0.1:8181']}}]
"""


def missing():
    return None if shutil.which('prometheus') else 'no prometheus binary (apt-get install prometheus)'


class Prometheus:
    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix='carelane-prometheus-'))
        (self.dir / 'prometheus.yml').write_text(CONFIG)
        self.log = open(self.dir / 'prometheus.log', 'w')
        self.proc = subprocess.Popen(
            ['prometheus', f'--config.file={self.dir / "prometheus.yml"}',
             f'--storage.tsdb.path={self.dir / "data"}', f'--web.listen-address=127.0.0.1:{PORT}'],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(URL + '/-/ready', timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if self.proc.poll() is not None or time.time() > deadline:
                raise onos.OnosError('Prometheus did not become ready:\n'
                                     + (self.dir / 'prometheus.log').read_text()[-3000:])
            time.sleep(0.5)
        onos.log(f'Prometheus {PORT}: scraping /onos/carelane/metrics every {SCRAPE_SECONDS} s')

    def query(self, promql, at=None):
        """Instant query; returns the result vector as [(labels, float)]."""
        params = {'query': promql}
        if at is not None:
            params['time'] = f'{at:.3f}'
        with urllib.request.urlopen(URL + '/api/v1/query?' + urllib.parse.urlencode(params), timeout=10) as r:
            body = json.loads(r.read())
        if body.get('status') != 'success':
            raise onos.OnosError(f'PromQL {promql!r}: {body}')
        return [(s['metric'], float(s['value'][1])) for s in body['data']['result']]

    def metric_names(self):
        """Every metric name Prometheus has scraped."""
        with urllib.request.urlopen(URL + '/api/v1/label/__name__/values', timeout=10) as r:
            return json.loads(r.read())['data']

    def value(self, promql, at=None):
        """The single value of an instant query."""
        result = self.query(promql, at)
        if len(result) != 1:
            raise onos.OnosError(f'PromQL {promql!r} at {at}: expected one series, got {result}')
        return result[0][1]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
