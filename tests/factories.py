import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from merchants.choices import MembershipRole
from merchants.models import Merchant, MerchantMembership

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc_with_check(body17: str) -> str:
    total = sum(USCC_CHARS.index(ch) * w for ch, w in zip(body17, USCC_WEIGHTS, strict=True))
    return body17 + USCC_CHARS[(31 - total % 31) % 31]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "a-Strong-pass-2026")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if extracted:
            self.is_staff = True
            self.save()
            self.groups.add(*Group.objects.filter(name__in=extracted))
        elif create:
            self.save()


class MerchantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Merchant

    name = factory.Sequence(lambda n: f"Store {n}")
    legal_name = factory.Sequence(lambda n: f"Company {n} Co., Ltd.")
    uscc = factory.Sequence(lambda n: uscc_with_check(f"9131010{n:010d}"))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MerchantMembership

    user = factory.SubFactory(UserFactory)
    merchant = factory.SubFactory(MerchantFactory)
    role = MembershipRole.OWNER


def staff(*roles: str, **kwargs):
    return UserFactory(roles=list(roles), **kwargs)


def merchant_owner(merchant=None, **kwargs):
    merchant = merchant or MerchantFactory()
    membership = MembershipFactory(merchant=merchant, **kwargs)
    return membership.user
