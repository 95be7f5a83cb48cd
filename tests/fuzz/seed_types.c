/* A small seed for the fuzzer touching each kind of type the model knows. */
/* No system headers, so every --target compiles it without a sysroot. */

typedef unsigned char u8;
enum colour { RED, GREEN = 7 };

struct node;
typedef struct node node_t;

struct bits {
	unsigned a : 3;
	unsigned b : 13;
	u8 c;
	unsigned long long d : 40;
};

union word {
	int i;
	float f;
	char bytes[4];
};

struct node {
	char tag;
	node_t *next;
	struct bits flags;
	union word w[2][3];
	enum colour colour;
	struct { short x; double y; } anon;
	const volatile int *cv;
	int (*callback)(struct node *, long);
	_Alignas(16) char aligned;
	char tail[];
};

struct node g_node;
union word g_word;
