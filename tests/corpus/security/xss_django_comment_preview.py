# expect: PS307@25
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from .models import Comment, Post


@require_POST
def comment_preview(request, post_id):
    post = get_object_or_404(Post, pk=post_id)
    author = request.POST.get("author", "Anonymous")
    body = request.POST.get("body", "")
    if len(body) > 2000:
        return HttpResponse("Comment too long", status=400, content_type="text/plain")

    comment = Comment(post=post, author=author, body=body)
    html = (
        '<div class="comment-preview">'
        f"<strong>{comment.author}</strong>"
        f"<p>{comment.body}</p>"
        f'<a href="/posts/{post.pk}/">Back to post</a>'
        "</div>"
    )
    return HttpResponse(html)
