// The operator console: every figure and action goes through the admin API with the pasted service-role token.
// Stored strings (names, errors) are untrusted: they reach the page through textContent only, never as HTML.
'use strict';

(function () {
    const TOKEN_KEY = 'evolutionProvisioner.serviceRoleToken';
    const REFRESH_MILLIS = 5000;
    const apiBase = new URL('api/', document.baseURI);
    const $ = (id) => document.getElementById(id);

    let refreshing = false;

    class Refused extends Error {
    }

    function token() {
        return sessionStorage.getItem(TOKEN_KEY);
    }

    async function api(method, path) {
        const response = await fetch(new URL(path, apiBase), {
            method,
            headers: {'Authorization': 'Bearer ' + token(), 'Accept': 'application/json'},
            cache: 'no-store'
        });
        const body = await response.json().catch(() => ({}));
        if (response.status === 401 || response.status === 403) {
            throw new Refused(response.status === 401
                ? 'The token was refused: it is wrong or has expired. Paste a valid service-role token.'
                : 'This token is not a service-role token: the console needs role=service_role.');
        }
        if (!response.ok) {
            throw new Error((body && body.message) || ('HTTP ' + response.status));
        }
        return body;
    }

    function showMessage(text, kind) {
        const message = $('message');
        message.textContent = text;
        message.className = kind || '';
        message.hidden = !text;
    }

    function element(tag, text, className) {
        const node = document.createElement(tag);
        if (text !== undefined && text !== null) {
            node.textContent = String(text);
        }
        if (className) {
            node.className = className;
        }
        return node;
    }

    function row(cells) {
        const tr = document.createElement('tr');
        cells.forEach((cell) => tr.appendChild(cell instanceof Node ? wrap(cell) : element('td', cell)));
        return tr;
    }

    function wrap(node) {
        if (node.tagName === 'TD') {
            return node;
        }
        const td = document.createElement('td');
        td.appendChild(node);
        return td;
    }

    function fill(tbody, rows, columns, emptyText) {
        tbody.replaceChildren(...(rows.length ? rows : [emptyRow(columns, emptyText)]));
    }

    function emptyRow(columns, text) {
        const td = element('td', text, 'empty');
        td.colSpan = columns;
        const tr = document.createElement('tr');
        tr.appendChild(td);
        return tr;
    }

    function actionButton(label, accessibleName, action) {
        const button = element('button', label);
        button.type = 'button';
        button.setAttribute('aria-label', accessibleName);
        button.addEventListener('click', async () => {
            button.disabled = true;
            try {
                showMessage(await action(), 'info');
                await refresh();
            } catch (failure) {
                handleFailure(failure);
            } finally {
                button.disabled = false;
            }
        });
        return button;
    }

    function when(value) {
        return value ? new Date(value).toLocaleString() : '';
    }

    function renderStats(stats) {
        const figures = [
            ['Pending', stats.pendingCount], ['Processing', stats.processingCount],
            ['Completed', stats.completedCount], ['Failed', stats.failedCount],
            ['Stuck', stats.stuckCount],
            ['Oldest pending (s)', Math.round(Number(stats.oldestPendingAgeSeconds || 0))],
            ['Failure rate, last hour', (100 * Number(stats.failureRateLastHour || 0)).toFixed(1) + ' %'],
            ['Success rate', (stats.successRatePct ?? 0) + ' %'],
            ['Webhook configured', (stats.webhookConfiguredRatePct ?? 0) + ' %']
        ];
        $('stats').replaceChildren(...figures.map(([name, value]) => {
            const group = document.createElement('div');
            group.append(element('dt', name), element('dd', value));
            return group;
        }));
    }

    function renderFailed(rows) {
        fill($('failed'), rows.map((entry) => row([
            entry.userId + (entry.operation === 'deprovision' ? ' (deletion)' : ''), entry.attempts,
            entry.lastErrorCode || '', element('td', entry.lastError || '', 'detail'),
            when(entry.updatedAt),
            actionButton('Re-queue', 'Re-queue user ' + entry.userId, async () => {
                await api('POST', 'admin/queue/' + encodeURIComponent(entry.userId) + '/requeue');
                return 'User ' + entry.userId + ' re-queued.';
            })
        ])), 6, 'No failed users.');
    }

    function renderDeadLetters(rows) {
        fill($('dead-letters'), rows.map((letter) => row([
            letter.id, letter.instanceName, letter.event, letter.applyAttempts,
            element('td', letter.applyError || '', 'detail'), when(letter.receivedAt),
            actionButton('Replay', 'Replay dead letter ' + letter.id, async () => {
                await api('POST', 'admin/webhooks/dead-letters/' + encodeURIComponent(letter.id) + '/replay');
                return 'Dead letter ' + letter.id + ' replayed.';
            })
        ])), 7, 'No dead letters.');
    }

    function renderInstances(rows) {
        fill($('instances'), rows.map((instance) => row([
            instance.userId, instance.email || '', instance.fullName || '', instance.instanceName || '',
            (instance.status || '') + (instance.operation === 'deprovision' ? ' (deletion)' : ''),
            (instance.connectionState || '') + (instance.quietSince ? ', quiet since ' + when(instance.quietSince) : ''),
            instance.webhookConfigured ? 'configured' : 'not configured', when(instance.webhookVerifiedAt),
            instance.lastErrorCode || ''
        ])), 9, 'No matching users.');
    }

    function renderServers(stats, health) {
        const evolution = (health.checks || []).find((check) => check.name === 'evolution-api');
        const offsets = Object.entries(stats.evolutionClockOffsetSeconds || {});
        const servers = offsets.length ? offsets : [['EVOLUTION_API_BASE_URL', null]];
        fill($('servers'), servers.map(([server, offset]) => row([
            server, evolution ? evolution.status : 'unknown', offset === null ? 'not measured yet' : offset
        ])), 3, '');
    }

    async function refresh() {
        if (!token() || refreshing) {
            return;
        }
        refreshing = true;
        try {
            const search = $('search').value.trim();
            const [stats, failed, deadLetters, instances, health] = await Promise.all([
                api('GET', 'admin/stats'),
                api('GET', 'admin/queue?status=failed&size=100'),
                api('GET', 'admin/webhooks/dead-letters?limit=100'),
                api('GET', 'admin/instances?size=50&search=' + encodeURIComponent(search)),
                api('GET', 'admin/health')
            ]);
            renderStats(stats);
            renderFailed(failed);
            renderDeadLetters(deadLetters);
            renderInstances(instances);
            renderServers(stats, health);
            showConsole(true);
            if ($('message').className !== 'info') {
                showMessage('');
            }
            $('last-update').textContent = new Date().toLocaleTimeString();
        } catch (failure) {
            handleFailure(failure);
        } finally {
            refreshing = false;
        }
    }

    function handleFailure(failure) {
        if (failure instanceof Refused) {
            signOut();
            showMessage(failure.message);
        } else {
            showMessage('The service did not answer as expected: ' + failure.message);
        }
    }

    function showConsole(visible) {
        $('console').hidden = !visible;
        $('session').hidden = !visible;
        $('sign-in').hidden = visible;
    }

    /** Forgets the token and every figure shown with it. */
    function signOut() {
        sessionStorage.removeItem(TOKEN_KEY);
        showConsole(false);
        ['stats', 'failed', 'dead-letters', 'instances', 'servers'].forEach((id) => $(id).replaceChildren());
        showMessage('');
    }

    document.addEventListener('DOMContentLoaded', () => {
        $('sign-in-form').addEventListener('submit', (event) => {
            event.preventDefault();
            const pasted = $('token').value.trim().replace(/^Bearer\s+/i, '');
            $('token').value = '';
            if (!pasted) {
                showMessage('Paste a service-role token first.');
                return;
            }
            sessionStorage.setItem(TOKEN_KEY, pasted);
            showMessage('');
            refresh();
        });
        $('sign-out').addEventListener('click', () => {
            signOut();
            $('token').focus();
        });
        $('search-form').addEventListener('submit', (event) => {
            event.preventDefault();
            refresh();
        });
        $('requeue-all').addEventListener('click', () => runAction(async () =>
            (await api('POST', 'admin/queue/requeue-failed')).requeued + ' failed user(s) re-queued.'));
        $('replay-all').addEventListener('click', () => runAction(async () =>
            (await api('POST', 'admin/webhooks/dead-letters/replay')).replayed + ' dead letter(s) replayed.'));
        setInterval(refresh, REFRESH_MILLIS);
        refresh();
    });

    async function runAction(action) {
        try {
            showMessage(await action(), 'info');
            await refresh();
        } catch (failure) {
            handleFailure(failure);
        }
    }
})();
