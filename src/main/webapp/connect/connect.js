// The reference pairing page. It gets the user's token from the embedding product: the URL fragment (#token=…),
// or a postMessage {type: 'evolution-provisioner:token', token} from the parent frame. A message is accepted only
// from the parent window and only from the parent's own origin; which origins may be that parent is enforced by the
// browser through CONNECT_FRAME_ANCESTORS (frame-ancestors). The token stays in memory only.
'use strict';

(function () {
    const POLL_MILLIS = 2000;
    const apiBase = new URL('../api/', document.baseURI);
    const $ = (id) => document.getElementById(id);

    let token = null;
    let shownQr = null;
    let shownQrUpdatedAt = null;
    /** The session's QR budget, as connect answered it (a stream's qrcode event does not repeat it). */
    let qrCodeLimit = null;
    let connected = false;
    let pollTimer = null;
    let stream = null;

    class Failure extends Error {
        constructor(status, body) {
            super((body && body.message) || ('HTTP ' + status));
            this.status = status;
            this.error = body && body.error;
        }
    }

    async function api(method, path, body) {
        const response = await fetch(new URL(path, apiBase), {
            method,
            headers: Object.assign({'Authorization': 'Bearer ' + token, 'Accept': 'application/json'},
                body === undefined ? {} : {'Content-Type': 'application/json'}),
            body: body === undefined ? undefined : JSON.stringify(body),
            cache: 'no-store'
        });
        const answer = await response.json().catch(() => ({}));
        if (!response.ok) {
            throw new Failure(response.status, answer);
        }
        return answer;
    }

    function say(text, isError) {
        $('status').textContent = text;
        $('status').className = isError ? 'error' : '';
    }

    /** Where the embedding page lives: the only origin whose messages are read and to which ours are sent. */
    function parentOrigin() {
        if (window.parent === window) {
            return null;
        }
        if (location.ancestorOrigins && location.ancestorOrigins.length) {
            return location.ancestorOrigins[0];
        }
        try {
            return document.referrer ? new URL(document.referrer).origin : null;
        } catch (unparsable) {
            return null;
        }
    }

    function tellParent(type) {
        const origin = parentOrigin();
        if (origin) {
            window.parent.postMessage({type: 'evolution-provisioner:' + type}, origin);
        }
    }

    function showQr(qrCode, count, limit, lastOne) {
        if (connected || !qrCode) {
            return;
        }
        if (qrCode !== shownQr) {
            shownQr = qrCode;
            $('qr').src = qrCode;
        }
        $('qr-section').hidden = false;
        $('pairing-section').hidden = false;
        qrCodeLimit = limit || qrCodeLimit;
        if (count) {
            $('qr-count').textContent = 'Code ' + count + (qrCodeLimit ? ' of ' + qrCodeLimit : '') + '.';
        }
        $('new-code').hidden = !lastOne;
        say(lastOne ? 'This is the last code of this session. When it expires, ask for a new one.'
            : 'Scan the code with WhatsApp. It refreshes by itself.');
    }

    /** The owner's status (GET /api/instances/me): the code the service holds now, and when it arrived. */
    function showStatus(status) {
        if (status.connectionState === 'open') {
            showConnected();
            return;
        }
        if (status.status === 'completed' && !shownQr) {
            connect().catch((failure) => say(explain(failure), true));
            return;
        }
        if (status.qrCode && status.qrCodeUpdatedAt && status.qrCodeUpdatedAt !== shownQrUpdatedAt) {
            shownQrUpdatedAt = status.qrCodeUpdatedAt;
            showQr(status.qrCode);
            $('qr').dataset.updatedAt = status.qrCodeUpdatedAt;
            $('qr-received').textContent = 'Code received at ' + new Date(status.qrCodeUpdatedAt).toLocaleTimeString() + '.';
        }
    }

    function showState(state) {
        if (state === 'open') {
            showConnected();
        } else if (state === 'refused') {
            $('qr-section').hidden = false;
            $('new-code').hidden = false;
            say('The codes ran out before one was scanned. Ask for a new one.');
        }
    }

    function showConnected() {
        if (connected) {
            return;
        }
        connected = true;
        stopFollowing();
        $('qr-section').hidden = true;
        $('pairing-section').hidden = true;
        $('connected').hidden = false;
        say('Connected.');
        tellParent('connected');
    }

    function showPairing(pairing) {
        if (pairing.state === 'open') {
            showConnected();
            return;
        }
        showQr(pairing.qrCode, pairing.count, pairing.qrCodeLimit, pairing.qrBudgetExhausted);
        showState(pairing.state);
        if (pairing.pairingCode) {
            $('pairing-code').textContent = pairing.pairingCode;
            $('pairing-result').hidden = false;
        }
    }

    function explain(failure) {
        if (failure.status === 401 || failure.status === 403) {
            return 'Your sign-in was refused or has expired. Sign in again in the application.';
        }
        if (failure.status === 409 && failure.error === 'not_provisioned') {
            return 'Your WhatsApp line is still being prepared. This page continues by itself.';
        }
        if (failure.status === 429) {
            return 'Too many attempts. Wait a minute and try again.';
        }
        if (failure.status === 400) {
            return failure.message;
        }
        return 'The service is not available right now (' + failure.message + '). Try again shortly.';
    }

    async function connect(number) {
        const pairing = await api('POST', 'instances/me/connect', number ? {number} : {});
        showPairing(pairing);
        return pairing;
    }

    async function start(received) {
        if (token || !received) {
            return;
        }
        token = received;
        say('Preparing your code…');
        try {
            await connect();
        } catch (failure) {
            say(explain(failure), failure.status !== 409);
            if (failure.status === 401 || failure.status === 403) {
                return;
            }
        }
        if (!connected) {
            follow();
        }
    }

    /** Live updates: the owner's event stream when the service has it, else GET /api/instances/me every 2 s. */
    async function follow() {
        try {
            const ticket = await api('POST', 'instances/me/events/tickets');
            openStream(ticket.ticket);
        } catch (noStream) {
            poll();
        }
    }

    function openStream(ticket) {
        stream = new EventSource(new URL('instances/me/events?ticket=' + encodeURIComponent(ticket), apiBase));
        // Each event says what changed; the page then reads the whole status, as polling does, so both show alike.
        stream.addEventListener('qrcode', (event) => {
            const data = JSON.parse(event.data);
            showQr(data.qrCode, data.count);
            readStatus();
        });
        stream.addEventListener('connection', (event) => {
            showState(JSON.parse(event.data).state);
            readStatus();
        });
        stream.addEventListener('status', readStatus);
        // A ticket opens one stream: when the stream drops, continue by polling rather than reconnect with it.
        stream.onerror = () => {
            stopFollowing();
            if (!connected) {
                poll();
            }
        };
    }

    /** Reads and shows the status; false when the token was refused (nothing more to follow). */
    async function readStatus() {
        try {
            showStatus(await api('GET', 'instances/me'));
        } catch (failure) {
            say(explain(failure), true);
            return failure.status !== 401 && failure.status !== 403;
        }
        return true;
    }

    function poll() {
        pollTimer = setTimeout(async () => {
            if (await readStatus() && !connected) {
                poll();
            }
        }, POLL_MILLIS);
    }

    function stopFollowing() {
        clearTimeout(pollTimer);
        if (stream) {
            stream.close();
            stream = null;
        }
    }

    document.addEventListener('DOMContentLoaded', () => {
        $('pairing-form').addEventListener('submit', async (event) => {
            event.preventDefault();
            try {
                // Evolution gives a pairing code only when a session starts: end the QR session shown, start anew.
                if (shownQr) {
                    await api('POST', 'instances/me/logout');
                }
                await connect($('number').value.trim());
            } catch (failure) {
                say(explain(failure), true);
            }
        });
        $('new-code').addEventListener('click', async () => {
            shownQr = null;
            try {
                await connect();
            } catch (failure) {
                say(explain(failure), true);
            }
        });
        window.addEventListener('message', (event) => {
            const origin = parentOrigin();
            if (event.source === window.parent && origin && event.origin === origin && event.data
                && event.data.type === 'evolution-provisioner:token' && typeof event.data.token === 'string') {
                start(event.data.token);
            }
        });

        const fragment = new URLSearchParams(location.hash.slice(1));
        if (fragment.get('token')) {
            // Out of the address bar and the history as soon as read.
            history.replaceState(null, '', location.pathname + location.search);
            start(fragment.get('token'));
        } else if (parentOrigin()) {
            tellParent('ready');
        } else {
            say('Open this page from your application: it passes your sign-in to it.', true);
        }
    });
})();
