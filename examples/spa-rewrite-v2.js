// A candidate "fix" (cloudfront-js-2.0): serve the single-page app's shell for
// every route without a file extension, leave the API alone, and redirect
// the old /blog/ paths to the new host.
function handler(event) {
    const request = event.request;
    const uri = request.uri;

    if (uri.startsWith('/api/')) {
        return request;
    }
    if (uri.startsWith('/blog/')) {
        return {
            statusCode: 301,
            statusDescription: 'Moved Permanently',
            headers: { location: { value: 'https://blog.example.com' + uri.slice(5) } },
        };
    }
    if (uri.endsWith('/') || !uri.includes('.')) {
        request.uri = '/index.html';
    }
    return request;
}
