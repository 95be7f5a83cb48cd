/* C++ constructors of the classes a fix patches: found in and out of the class, checked, reordered. */
#include "fix/fix_builder.h"

#include <stdlib.h>
#include <string.h>

#include "fix/fix_ctor.h"
#include "fix/fix_cxx.h"
#include "fix/fix_cxx_build.h"
#include "util/fail.h"
#include "util/file_read.h"

typedef struct ctor_site {
	size_t source;
	size_t name_tok;
} ctor_site;

typedef struct site_list {
	ctor_site *items;
	size_t count;
} site_list;

static int add_site(site_list *list, size_t source, size_t name_tok)
{
	ctor_site *more = realloc(list->items, (list->count + 1) * sizeof(*more));
	if (!more)
		return SF_ENOMEM;
	list->items = more;
	list->items[list->count++] = (ctor_site){ source, name_tok };
	return 0;
}

/* Out-of-line constructors `NAME::NAME(` of the C++ candidates, in every source below the root. */
static int find_ctors(builder *b, site_list *sites)
{
	path_list files = { NULL, 0 };
	int rc = sf__fix_list_sources(&files, b->root, 0);

	for (size_t f = 0; rc == 0 && f < files.count; f++) {
		char *text = NULL;
		size_t len = 0;
		int r = sf__read_file(files.items[f], &text, &len);
		if (r == SF_ENOMEM)
			rc = r;
		for (size_t i = 0; r == 0 && rc == 0 && i < b->cand_count; i++) {
			const char *name = sf__fix_cxx_short_name(b->cands[i].def);
			const char *why = NULL, *at;
			size_t *found = NULL, count = 0;
			long source;
			if (!b->cands[i].body.cxx || b->fix->structs[b->cands[i].record].skip_reason || !name)
				continue;
			for (at = strstr(text, name); at && !(at[strlen(name)] == ':' && at[strlen(name) + 1] == ':');
			     at = strstr(at + 1, name))
				;
			if (!at)
				continue;
			source = sf__fix_source_for(b, files.items[f], &why);
			if (source == SF_ENOMEM)
				rc = SF_ENOMEM;
			if (source < 0)
				continue;
			rc = sf__fix_ctor_find(b->fix->sources[source].text, &b->fix->sources[source].tokens, name,
					       &found, &count);
			for (size_t k = 0; rc == 0 && k < count; k++)
				rc = add_site(&sites[i], (size_t)source, found[k]);
			free(found);
		}
		free(text);
	}
	for (size_t f = 0; f < files.count; f++)
		free(files.items[f]);
	free(files.items);
	return rc;
}

/*
 * C++: refuses a class whose initializers read a member whose order
 * against theirs changes, else puts every constructor's member
 * initializers in the new order.  Returns 0 or SF_ENOMEM.
 */
static int cxx_constructor(builder *b, candidate *c, const site_list *sites)
{
	sf_fix *fix = b->fix;
	sf_fix_struct *r = &fix->structs[c->record];
	sf_fix_source *home = &fix->sources[c->source];
	uint32_t *new_pos = sf__arena_calloc(b->arena, c->def->member_count + 1, sizeof(*new_pos));
	size_t *added = sf__arena_calloc(b->arena, sites->count + 1, sizeof(*added)), added_count = 0;
	uint32_t line = 0;
	int rc = 0;

	if (!new_pos || !added) {
		rc = SF_ENOMEM;
		goto done;
	}
	sf__fix_cxx_new_positions(c->def, &c->body, c->unit_order, new_pos);
	if (sf__fix_default_reads(home->text, &home->tokens, &c->body, c->def, new_pos, &line)) {
		r->skip_reason = sf__fix_format(fix, "the default member initializer at %s:%u reads another member "
					     "whose initialisation order would change", home->rel, line);
		rc = r->skip_reason ? 0 : SF_ENOMEM;
		goto done;
	}
	for (size_t k = 0; k < sites->count; k++) {
		const sf_fix_source *src = &fix->sources[sites->items[k].source];
		size_t colon, body_open, tok = sites->items[k].name_tok;
		if (sf__fix_ctor_list(src->text, &src->tokens, tok, &colon, &body_open) &&
		    sf__fix_ctor_reads(src->text, &src->tokens, tok, colon, body_open, c->def, new_pos, &line)) {
			r->skip_reason = sf__fix_format(fix, "the constructor at %s:%u reads another member in an "
						     "initializer (line %u) whose initialisation order would change",
						src->rel, src->tokens.items[tok].line, line);
			rc = r->skip_reason ? 0 : SF_ENOMEM;
			goto done;
		}
	}
	for (size_t k = 0; k < sites->count; k++) {
		sf_fix_source *src = &fix->sources[sites->items[k].source];
		size_t colon, body_open, start, end, len, tok = sites->items[k].name_tok;
		char *text = NULL, *kept;
		if (!sf__fix_ctor_list(src->text, &src->tokens, tok, &colon, &body_open))
			continue;
		rc = sf__fix_ctor_rewrite(src->text, src->len, &src->tokens, colon, body_open, c->def, new_pos,
					  &start, &end, &text, &len);
		if (rc < 0 || !text)
			continue;
		kept = sf__arena_strndup(fix->arena, text, len);
		free(text);
		if (!kept) {
			rc = SF_ENOMEM;
			goto done;
		}
		rc = sf__fix_add_edit(fix, src, start, end, kept, len);
		if (rc == 1) {
			/* Undo this class's list edits: they are the last ones added. */
			for (size_t a = added_count; a-- > 0;)
				fix->sources[added[a]].edit_count--;
			r->skip_reason = sf__fix_format(fix, "the constructor at %s:%u shares lines with another edit",
						src->rel, src->tokens.items[tok].line);
			rc = r->skip_reason ? 0 : SF_ENOMEM;
			goto done;
		}
		if (rc < 0)
			goto done;
		added[added_count++] = sites->items[k].source;
	}
done:
	return rc;
}

int sf__fix_cxx_constructors(builder *b)
{
	site_list *sites = calloc(b->cand_count + 1, sizeof(*sites));
	bool any = false;
	int rc = 0;

	if (!sites)
		return SF_ENOMEM;
	for (size_t i = 0; i < b->cand_count; i++) {
		const candidate *c = &b->cands[i];
		if (!c->body.cxx || b->fix->structs[c->record].skip_reason)
			continue;
		any = true;
		for (uint32_t k = 0; rc == 0 && k < c->body.ctor_count; k++)
			rc = add_site(&sites[i], c->source, c->body.ctors[k]);
	}
	if (rc == 0 && any)
		rc = find_ctors(b, sites);
	for (size_t i = 0; rc == 0 && i < b->cand_count; i++) {
		candidate *c = &b->cands[i];
		if (c->body.cxx && !b->fix->structs[c->record].skip_reason)
			rc = cxx_constructor(b, c, &sites[i]);
	}
	for (size_t i = 0; i < b->cand_count; i++)
		free(sites[i].items);
	free(sites);
	return rc;
}
