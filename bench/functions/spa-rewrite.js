// The official AWS sample "url-rewrite-single-page-apps" (cloudfront-js-1.0):
// add index.html to directory URIs and to URIs without a file extension.
function handler(event) {
    var request = event.request;
    var uri = request.uri;

    if (uri.endsWith('/')) {
        request.uri += 'index.html';
    } else if (!uri.includes('.')) {
        request.uri += '/index.html';
    }
    return request;
}
