// The SPA rewrite with a fix: the cart and the checkout are served by the
// application server, not the single-page app, so they are left alone.
function handler(event) {
    var request = event.request;
    var uri = request.uri;

    if (uri === '/cart' || uri === '/checkout') {
        return request;
    }
    if (uri.endsWith('/')) {
        request.uri += 'index.html';
    } else if (!uri.includes('.')) {
        request.uri += '/index.html';
    }
    return request;
}
